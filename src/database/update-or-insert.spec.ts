import { updateOrInsert } from './update-or-insert';

const uniqueViolation = () => Object.assign(new Error('duplicate'), { code: 'ER_DUP_ENTRY' });

/** Statements whose answers are scripted round by round. */
function scripted(script: { update: boolean[]; read?: Array<string | undefined>; insert?: Array<Error | null> }) {
  const calls = { update: 0, read: 0, insert: 0 };
  return {
    calls,
    statements: {
      update: () => Promise.resolve(script.update[calls.update++] ?? false),
      read: () => Promise.resolve((script.read ?? [])[calls.read++]),
      insert: () => {
        const failure = (script.insert ?? [])[calls.insert++] ?? null;
        return failure ? Promise.reject(failure) : Promise.resolve();
      },
    },
  };
}

describe(updateOrInsert.name, () => {
  it('counts on the existing row with one statement', async () => {
    const { statements, calls } = scripted({ update: [true] });

    await expect(updateOrInsert(statements)).resolves.toEqual({ counted: true });
    expect(calls).toEqual({ update: 1, read: 0, insert: 0 });
  });

  it('inserts the first row for a new key', async () => {
    const { statements, calls } = scripted({ update: [false], read: [undefined] });

    await expect(updateOrInsert(statements)).resolves.toEqual({ counted: true });
    expect(calls).toEqual({ update: 1, read: 1, insert: 1 });
  });

  it('hands back the row that refused the count', async () => {
    const { statements } = scripted({ update: [false], read: ['locked'] });

    await expect(updateOrInsert(statements)).resolves.toEqual({ counted: false, row: 'locked' });
  });

  it('counts on top of a row a concurrent request inserted first', async () => {
    const { statements, calls } = scripted({ update: [false, true], read: [undefined], insert: [uniqueViolation()] });

    await expect(updateOrInsert(statements)).resolves.toEqual({ counted: true });
    expect(calls).toEqual({ update: 2, read: 1, insert: 1 });
  });

  it('passes on any other error at once', async () => {
    const { statements } = scripted({ update: [false], read: [undefined], insert: [new Error('disk full')] });

    await expect(updateOrInsert(statements)).rejects.toThrow('disk full');
  });

  it('gives up after a bounded number of lost rounds', async () => {
    const lost = Array.from({ length: 10 }, uniqueViolation);
    const { statements, calls } = scripted({ update: [], read: [], insert: lost });

    await expect(updateOrInsert(statements)).rejects.toThrow('duplicate');
    expect(calls.insert).toBe(5);
  });

  it('with insertFirst, takes one statement for a new key', async () => {
    const { statements, calls } = scripted({ update: [] });

    await expect(updateOrInsert({ ...statements, insertFirst: true })).resolves.toEqual({ counted: true });
    expect(calls).toEqual({ update: 0, read: 0, insert: 1 });
  });

  it('with insertFirst, counts on the row that is there already', async () => {
    const { statements, calls } = scripted({ update: [true], insert: [uniqueViolation()] });

    await expect(updateOrInsert({ ...statements, insertFirst: true })).resolves.toEqual({ counted: true });
    expect(calls).toEqual({ update: 1, read: 0, insert: 1 });
  });
});
