// Learning-rate schedules: functions from the step count (0-based) to a rate.

export type Schedule = (step: number) => number;

/** A learning rate given as a number or a schedule. */
export type LearningRate = number | Schedule;

export function rateAt(rate: LearningRate, step: number): number {
  return typeof rate === "number" ? rate : rate(step);
}

export function constant(value: number): Schedule {
  return () => value;
}

/** Multiplies the rate by `factor` every `every` steps. */
export function stepDecay(initial: number, every: number, factor: number): Schedule {
  if (every <= 0) throw new RangeError("stepDecay: `every` must be positive");
  return (step) => initial * factor ** Math.floor(step / every);
}

/** Cosine decay from `initial` to `initial * alpha` over `decaySteps`, then flat. */
export function cosineDecay(initial: number, decaySteps: number, alpha = 0): Schedule {
  if (decaySteps <= 0) throw new RangeError("cosineDecay: `decaySteps` must be positive");
  return (step) => {
    const t = Math.min(step, decaySteps) / decaySteps;
    const cosine = 0.5 * (1 + Math.cos(Math.PI * t));
    return initial * ((1 - alpha) * cosine + alpha);
  };
}

/** Linear ramp from `start` to `end` over `steps`, then `end`. */
export function linearWarmup(start: number, end: number, steps: number): Schedule {
  return (step) => (steps <= 0 || step >= steps ? end : start + ((end - start) * step) / steps);
}

/** Linear warm-up to `peak` over `warmupSteps`, then cosine decay to `end` by `totalSteps`. */
export function warmupCosine(
  peak: number,
  warmupSteps: number,
  totalSteps: number,
  end = 0,
): Schedule {
  const warm = linearWarmup(0, peak, warmupSteps);
  const decaySteps = Math.max(1, totalSteps - warmupSteps);
  const decay = cosineDecay(peak, decaySteps, peak === 0 ? 0 : end / peak);
  return (step) => (step < warmupSteps ? warm(step) : decay(step - warmupSteps));
}
