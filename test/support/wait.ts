// Waiting for something asynchronous in end-to-end tests: polls a condition
// (which may itself be async) until it holds, and says what was awaited when it never does.

type Maybe<T> = T | undefined | false | null;

export async function waitFor<T>(condition: () => Maybe<T> | Promise<Maybe<T>>, what: string, ms = 15_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await condition();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
