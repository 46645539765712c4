// Runs lists of independent client tasks (federated clients, sweep points)
// through one interface: in this thread, or on a pool of worker threads. A
// task names a module, an exported function and a structured-cloneable input
// (JSON values and typed arrays); the same tasks give the same outputs on
// either executor, because inputs and outputs are copied the same way and a
// task must not depend on anything but its input. A task may also report
// progress through its second argument, which reaches the caller's
// `onProgress` while the task runs.
import { pathToFileURL } from "node:url";
import { isMainThread, parentPort, Worker, workerData } from "node:worker_threads";
import { UsageError } from "./errors.js";

/** One unit of work: `fn` exported by `module` (an absolute file URL or path) applied to `input`. */
export interface Task<I = unknown> {
  module: string;
  fn: string;
  input: I;
}

/** Runs tasks and returns their outputs in task order. */
export interface Executor {
  /** How many tasks may run at once (1 in-process). */
  readonly parallelism: number;
  /** Short description for reports: "in-process" or "4 worker threads". */
  readonly kind: string;
  /**
   * `onResult` hears of each task as it finishes, in finishing order;
   * `onProgress` hears what a task reports while it runs.
   */
  map<I, O>(
    tasks: Task<I>[],
    onResult?: (index: number, output: O) => void,
    onProgress?: (index: number, update: unknown) => void,
  ): Promise<O[]>;
  /** Stops any worker threads; the executor cannot be used afterwards. */
  close(): Promise<void>;
}

type TaskFn = (input: unknown, report: (update: unknown) => void) => unknown;

const modules = new Map<string, Promise<Record<string, unknown>>>();

function moduleUrl(module: string): string {
  return /^[a-z]+:/i.test(module) && !/^[a-z]:[\\/]/i.test(module)
    ? module
    : pathToFileURL(module).href;
}

async function resolveTask(task: Task): Promise<TaskFn> {
  const url = moduleUrl(task.module);
  let loaded = modules.get(url);
  if (!loaded) {
    loaded = import(url) as Promise<Record<string, unknown>>;
    modules.set(url, loaded);
  }
  const fn = (await loaded)[task.fn];
  if (typeof fn !== "function") {
    throw new Error(`executor: ${task.module} exports no function '${task.fn}'`);
  }
  return fn as TaskFn;
}

/** Runs tasks one after another in this thread, copying inputs and outputs like a worker would. */
export function inProcessExecutor(): Executor {
  return {
    parallelism: 1,
    kind: "in-process",
    async map<I, O>(
      tasks: Task<I>[],
      onResult?: (index: number, output: O) => void,
      onProgress?: (index: number, update: unknown) => void,
    ): Promise<O[]> {
      const out: O[] = [];
      for (const task of tasks) {
        const fn = await resolveTask(task as Task);
        const index = out.length;
        const report = (update: unknown) => onProgress?.(index, structuredClone(update));
        out.push(structuredClone(await fn(structuredClone(task.input), report)) as O);
        onResult?.(out.length - 1, out[out.length - 1]);
      }
      return out;
    },
    async close() {},
  };
}

interface Request {
  id: number;
  module: string;
  fn: string;
  input: unknown;
}

type Reply =
  | { id: number; ok: true; output: unknown }
  | { id: number; ok: false; error: string }
  | { id: number; progress: unknown };

/**
 * A worker's entry script: registers the TypeScript loader (tsx) in the new
 * thread, then imports this module, whose worker side answers requests.
 * (A `--import tsx` flag in the worker's execArgv does not reach its entry
 * module on Node 20, hence the explicit registration.)
 */
function bootstrapSource(): string {
  const api = JSON.stringify(import.meta.resolve("tsx/esm/api"));
  const self = JSON.stringify(import.meta.url);
  return `import(${api}).then((tsx) => { tsx.register(); return import(${self}); });`;
}

/** Runs tasks on `count` worker threads, each task on the first free worker. */
export function workerExecutor(count: number): Executor {
  if (!Number.isInteger(count) || count < 1) {
    throw new UsageError(`workers must be a whole number >= 1, got ${count}`);
  }
  const workers: Worker[] = [];
  // Why each worker stopped, if it did; a stopped worker fails its next task.
  const stopped = new Map<Worker, Error>();
  for (let i = 0; i < count; i++) {
    const worker = new Worker(bootstrapSource(), {
      eval: true,
      workerData: { descentExecutor: true },
    });
    worker.on("error", (error: Error) => stopped.set(worker, error));
    worker.on("exit", (code) => {
      if (!stopped.has(worker)) stopped.set(worker, new Error(`executor: worker exited (${code})`));
    });
    workers.push(worker);
  }
  let nextId = 0;
  let closed = false;

  function runOn(
    worker: Worker,
    task: Task,
    onProgress?: (update: unknown) => void,
  ): Promise<unknown> {
    const id = nextId++;
    return new Promise((resolve, reject) => {
      const failure = stopped.get(worker);
      if (failure) {
        reject(failure);
        return;
      }
      const onMessage = (reply: Reply) => {
        if (reply.id !== id) return;
        if ("progress" in reply) {
          onProgress?.(reply.progress);
          return;
        }
        cleanup();
        if (reply.ok) resolve(reply.output);
        else reject(new Error(reply.error));
      };
      const onError = (error: Error) => {
        cleanup();
        reject(error);
      };
      const onExit = (code: number) => onError(new Error(`executor: worker exited (${code})`));
      const cleanup = () => {
        worker.off("message", onMessage);
        worker.off("error", onError);
        worker.off("exit", onExit);
      };
      worker.on("message", onMessage);
      worker.on("error", onError);
      worker.on("exit", onExit);
      const request: Request = { id, module: task.module, fn: task.fn, input: task.input };
      worker.postMessage(request);
    });
  }

  return {
    parallelism: count,
    kind: `${count} worker thread${count === 1 ? "" : "s"}`,
    async map<I, O>(
      tasks: Task<I>[],
      onResult?: (index: number, output: O) => void,
      onProgress?: (index: number, update: unknown) => void,
    ): Promise<O[]> {
      if (closed) throw new Error("executor: map called after close");
      const out = new Array<O>(tasks.length);
      let next = 0;
      const drain = async (worker: Worker) => {
        while (next < tasks.length) {
          const index = next++;
          const relay = (update: unknown) => onProgress?.(index, update);
          out[index] = (await runOn(worker, tasks[index] as Task, relay)) as O;
          onResult?.(index, out[index]);
        }
      };
      await Promise.all(workers.map(drain));
      return out;
    },
    async close() {
      closed = true;
      await Promise.all(workers.map((worker) => worker.terminate()));
    },
  };
}

/** An executor for a `workers` setting: 0 runs in-process, N > 0 on N worker threads. */
export function createExecutor(workers: number): Executor {
  if (workers === 0) return inProcessExecutor();
  return workerExecutor(workers);
}

/** Runs `body` with an executor for `workers`, closing it afterwards. */
export async function withExecutor<T>(
  workers: number,
  body: (executor: Executor) => Promise<T>,
): Promise<T> {
  const executor = createExecutor(workers);
  try {
    return await body(executor);
  } finally {
    await executor.close();
  }
}

// Worker side: this module is also the worker's entry point.
if (!isMainThread && parentPort && (workerData as { descentExecutor?: boolean })?.descentExecutor) {
  const port = parentPort;
  port.on("message", async (request: Request) => {
    try {
      const fn = await resolveTask(request as Task);
      const report = (progress: unknown) =>
        port.postMessage({ id: request.id, progress } satisfies Reply);
      const output = await fn(request.input, report);
      port.postMessage({ id: request.id, ok: true, output } satisfies Reply);
    } catch (error) {
      const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
      port.postMessage({ id: request.id, ok: false, error: message } satisfies Reply);
    }
  });
}
