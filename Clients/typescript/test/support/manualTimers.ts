import type { Timers } from "../../src/index.js";
import { Inbox } from "./wait.js";

/** A timer the client scheduled; the test fires it when it chooses. */
export interface ManualTimer {
  readonly ms: number;
  cancelled: boolean;
  fire(): void;
}

/** Timers that never fire by themselves: the test reads each delay the client asked for and fires it. */
export class ManualTimers implements Timers {
  readonly scheduled = new Inbox<ManualTimer>();

  setTimeout(callback: () => void, ms: number): unknown {
    const timer: ManualTimer = {
      ms,
      cancelled: false,
      fire() {
        if (!timer.cancelled) {
          timer.cancelled = true;
          callback();
        }
      },
    };
    this.scheduled.push(timer);
    return timer;
  }

  clearTimeout(handle: unknown): void {
    (handle as ManualTimer).cancelled = true;
  }

  /** The next timer scheduled. */
  next(what = "a timer"): Promise<ManualTimer> {
    return this.scheduled.next(what);
  }
}
