// Worker-thread entry in plain JavaScript: installs the tsx loader in this thread (workers
// do not inherit the parent's loader hooks), then runs the TypeScript worker body.
import { register } from "tsx/esm/api";

register();
await import("./score-worker.ts");
