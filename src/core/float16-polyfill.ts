// Node 20 lacks two things @jax-js/jax uses: Float16Array, which it probes
// for (installed here from @petamoriken/float16), and iterator helpers such
// as Iterator.prototype.map, which np.einsum and nn.dotProductAttention call
// (installed from core-js). This module runs before the library loads.
import "core-js/actual/iterator/index.js";
import { Float16Array as Float16ArrayPolyfill } from "@petamoriken/float16";

const scope = globalThis as { Float16Array?: unknown };
if (scope.Float16Array === undefined) {
  scope.Float16Array = Float16ArrayPolyfill;
}
