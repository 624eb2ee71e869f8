import type { ClientState, SwitchyardClient, SwitchyardError } from "../../src/index.js";
import { Inbox } from "./wait.js";

export interface StateEvent {
  state: ClientState;
  error: SwitchyardError | undefined;
}

/** Records a client's state events; `until` waits for the next event in a given state. */
export class States {
  readonly events = new Inbox<StateEvent>();
  readonly seen: StateEvent[] = [];

  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  constructor(client: SwitchyardClient<any>) {
    client.onState((state, error) => {
      const event = { state, error };
      this.seen.push(event);
      this.events.push(event);
    });
  }

  /** Takes events until one in `state`, and returns it. */
  async until(state: ClientState, ms = 5000): Promise<StateEvent> {
    for (;;) {
      const event = await this.events.next(`state ${state}`, ms);
      if (event.state === state) {
        return event;
      }
    }
  }

  get names(): ClientState[] {
    return this.seen.map((e) => e.state);
  }
}
