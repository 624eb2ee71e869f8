/** Waits for a promise, failing with `what` after `ms` (never a sleep used as synchronisation). */
export function within<T>(promise: Promise<T>, what: string, ms = 5000): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** A queue of values that a test awaits one at a time. */
export class Inbox<T> {
  readonly #items: T[] = [];
  readonly #waiters: ((item: T) => void)[] = [];

  push(item: T): void {
    const waiter = this.#waiters.shift();
    if (waiter) {
      waiter(item);
    } else {
      this.#items.push(item);
    }
  }

  /** The next value, waiting up to `ms`. */
  next(what: string, ms = 5000): Promise<T> {
    const item = this.#items.shift();
    if (item !== undefined) {
      return Promise.resolve(item);
    }
    return within(new Promise<T>((resolve) => this.#waiters.push(resolve)), what, ms);
  }

  /** The values received and not yet taken. */
  get pending(): readonly T[] {
    return this.#items;
  }
}
