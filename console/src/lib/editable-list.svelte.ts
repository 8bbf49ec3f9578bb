import type { Loaded } from './page-data.ts';
import { errorIssues, errorMessage } from './trpc.ts';

/** What a page says after a change: done, or not, and why. */
export interface Notice {
  text: string;
  error: boolean;
}

export interface EditableListOptions<Item, Draft> {
  /** What the records are called in the sentence of a failed load ("series", "templates"). */
  name: string;
  /** The records as the page's `load` read them (its `data`), or why it could not. */
  loaded: () => Loaded<Item[]>;
  /** Reads the records again: `invalidate` of the key the page's `load` depends on. */
  reload: () => Promise<void>;
  toDraft: (item: Item) => Draft;
}

/**
 * Records a settings page lists and edits in place (numbering series, invoice templates): the
 * records its `load` read and a draft of each for its form, and the notice of the last change.
 * Create it while the page initialises.
 */
export class EditableList<Item extends { id: string }, Draft> {
  readonly #options: EditableListOptions<Item, Draft>;
  #notice = $state<Notice | null>(null);

  items = $derived.by(() => this.#options.loaded().value ?? []);
  /** Every read of the records starts their drafts again from what the host holds. */
  drafts = $derived.by(() => {
    const drafts = $state<Record<string, Draft>>(
      Object.fromEntries(this.items.map((item) => [item.id, this.#options.toDraft(item)])),
    );
    return drafts;
  });
  busy = $state(false);

  constructor(options: EditableListOptions<Item, Draft>) {
    this.#options = options;
  }

  /** The last change's outcome, else why the records could not be read. */
  get message(): Notice | null {
    const failure = this.#options.loaded().failure;
    return (
      this.#notice ??
      (failure ? { text: `Could not load the ${this.#options.name}: ${failure}`, error: true } : null)
    );
  }

  /** Runs a change and reports it in plain words; the host's field issues are listed. */
  act = async (done: string, change: () => Promise<unknown>): Promise<void> => {
    this.busy = true;
    this.#notice = null;
    try {
      await change();
      await this.#options.reload();
      this.#notice = { text: done, error: false };
    } catch (error) {
      const issues = errorIssues(error).map((i) => `${i.path.slice(1)} ${i.message}`);
      this.#notice = { text: `Not saved: ${[errorMessage(error), ...issues].join(' — ')}`, error: true };
    } finally {
      this.busy = false;
    }
  };
}
