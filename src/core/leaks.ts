// Leak checks for the engine's reference counting: wasm memory shows up in
// Node's `external` memory, so an array that is never disposed in a loop
// makes it grow by the array's size every iteration.

/** Bytes of external (wasm) memory gained while running `fn` after a warm-up call. */
export function externalGrowth(fn: () => void, warmup = true): number {
  if (warmup) fn();
  const before = process.memoryUsage().external;
  fn();
  return process.memoryUsage().external - before;
}
