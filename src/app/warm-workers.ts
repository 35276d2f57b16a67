// Worker threads kept warm between jobs. A thread that runs TypeScript starts in 0.3-0.5 s (tsx registers
// its loader in the thread and compiles the modules again), more than reading a 20 MB file takes there: a
// thread that ends its job cleanly waits, unreferenced (it keeps no process alive), for the next one. A
// thread that failed, stopped or was abandoned mid-job is ended, and the next job starts a new one.
import { Worker } from 'node:worker_threads';
import { ClearwayError, type ProblemCode } from '../domain/problems.ts';

/** A ClearwayError as a thread sends it back: the same refusal the main thread would have thrown. */
export interface Refusal {
  refused: { code: ProblemCode; message: string; status: number; details: Record<string, unknown> };
}

/** What a thread sends when its job throws: a refusal, or a failure (a defect, not the sender's file). */
export function failureMessage(error: unknown): Refusal | { failed: string } {
  if (error instanceof ClearwayError) return { refused: { code: error.code, message: error.message, status: error.status, details: error.details } };
  return { failed: error instanceof Error ? error.message : String(error) };
}

export function refusalError({ refused }: Refusal): ClearwayError {
  return new ClearwayError(refused.code, refused.message, refused.status, refused.details);
}

export interface Job<Message, Result> {
  /** What the thread is sent to start the job, and what is handed over with it (moved, not copied). */
  start: unknown;
  transfer?: ArrayBuffer[];
  /**
   * Whether the thread may wait for the next job after this one (default true). A thread that handled a
   * very large file is ended instead: an idle thread allocates nothing, so its garbage (a gigabyte after
   * 100 MB of GeoJSON) would stay until its next job.
   */
  keepThread?: boolean;
  /**
   * Each message of the thread: `{ value }` ends the job; undefined waits for more (`reply` sends the thread
   * a message). A ClearwayError thrown here is the job's answer and leaves the thread reusable: it must be
   * thrown only for the thread's last message of the job (a refusal, sent instead of any result).
   */
  onMessage(message: Message, reply: (message: unknown) => void): { value: Result } | undefined;
}

export class WarmWorkers {
  private readonly idle: Worker[] = [];

  /** `keep`: threads kept waiting at most; more jobs at once start more threads, ended after their job. */
  constructor(private readonly script: URL, private readonly keep = 2) {}

  /** Starts a thread now, so that the first job does not wait for it (a server calls this as it starts). */
  warm(): void {
    if (this.idle.length > 0) return;
    const worker = this.start();
    worker.unref();
    this.idle.push(worker);
  }

  async run<Message, Result>(job: Job<Message, Result>): Promise<Result> {
    const worker = this.idle.pop() ?? this.start();
    worker.ref();
    let reusable = false;
    let detach = () => {};
    try {
      return await new Promise<Result>((resolve, reject) => {
        const onMessage = (message: Message) => {
          try {
            const ended = job.onMessage(message, (reply) => worker.postMessage(reply));
            if (ended) {
              reusable = true;
              resolve(ended.value);
            }
          } catch (error) {
            reusable = error instanceof ClearwayError;
            reject(error);
          }
        };
        const onExit = (code: number) => reject(new Error(`the worker thread stopped (exit ${code})`));
        worker.on('message', onMessage);
        worker.on('error', reject);
        worker.on('exit', onExit);
        detach = () => {
          worker.off('message', onMessage);
          worker.off('error', reject);
          worker.off('exit', onExit);
        };
        worker.postMessage(job.start, job.transfer ?? []);
      });
    } finally {
      detach();
      if (reusable && job.keepThread !== false && this.idle.length < this.keep) {
        worker.unref();
        this.idle.push(worker);
      } else {
        await worker.terminate();
      }
    }
  }

  private start(): Worker {
    const worker = new Worker(this.script);
    // A waiting thread that fails is dropped from the pool; the listener keeps its error from being thrown.
    worker.on('error', () => undefined);
    worker.on('exit', () => {
      const at = this.idle.indexOf(worker);
      if (at >= 0) this.idle.splice(at, 1);
    });
    return worker;
  }
}
