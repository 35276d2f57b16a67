// Worker threads kept warm between jobs (src/app/warm-workers.ts): a thread that answered is used again, a
// refusal is an answer, and a thread that stopped mid-job fails that job only.
import { afterAll, describe, expect, it } from 'vitest';
import { ClearwayError } from '../../src/domain/problems.ts';
import { refusalError, WarmWorkers, type Refusal } from '../../src/app/warm-workers.ts';

type Answer = { threadId: number; message: unknown } | Refusal;
const workers = new WarmWorkers(new URL('../support/answer-worker.mjs', import.meta.url), 1);
const ask = (message: unknown) => workers.run<Answer, { threadId: number; message: unknown }>({
  start: message,
  onMessage(answer) {
    if ('refused' in answer) throw refusalError(answer);
    return { value: answer };
  },
});

afterAll(() => workers.warm());

describe('warm worker threads', () => {
  it('answer each job on the same thread, a refusal included', async () => {
    const first = await ask('a');
    expect(first.message).toBe('a');
    await expect(ask('refuse')).rejects.toMatchObject({ code: 'file.encoding', status: 422, details: { line: 1 } });
    await expect(ask('refuse')).rejects.toBeInstanceOf(ClearwayError);
    expect((await ask('b')).threadId).toBe(first.threadId);
  });

  it('fail the job whose thread stops, and start a new thread for the next one', async () => {
    const before = await ask('c');
    await expect(ask('stop')).rejects.toThrow(/stopped \(exit 3\)/);
    const after = await ask('d');
    expect(after.message).toBe('d');
    expect(after.threadId).not.toBe(before.threadId);
  });

  it('run jobs sent at once on threads of their own, keeping no more than asked', async () => {
    const answers = await Promise.all(['e', 'f', 'g'].map(ask));
    expect(answers.map((a) => a.message)).toEqual(['e', 'f', 'g']);
    expect(new Set(answers.map((a) => a.threadId)).size).toBe(3);
  });
});
