import { errorIssues, errorMessage } from './trpc.ts';

/** What a page says after a change: done, or not, and why. */
export interface Notice {
  text: string;
  error: boolean;
}

export interface EditableListOptions<Item, Draft> {
  /** What the records are called in the sentence of a failed load ("series", "templates"). */
  name: string;
  list: () => Promise<Item[]>;
  toDraft: (item: Item) => Draft;
}

/**
 * Records a settings page lists and edits in place (numbering series, invoice templates): the
 * records and a draft of each for its form, loaded from the host when the page opens, and the
 * notice of the last change. Create it while the page initialises (the load runs in an effect).
 */
export class EditableList<Item extends { id: string }, Draft> {
  items = $state<Item[]>([]);
  drafts = $state<Record<string, Draft>>({});
  message = $state<Notice | null>(null);
  busy = $state(false);

  readonly #options: EditableListOptions<Item, Draft>;

  constructor(options: EditableListOptions<Item, Draft>) {
    this.#options = options;
    $effect(() => {
      void this.load();
    });
  }

  /** Reads the records again; their drafts start from what the host holds. */
  load = async (): Promise<void> => {
    try {
      this.items = await this.#options.list();
      this.drafts = Object.fromEntries(this.items.map((item) => [item.id, this.#options.toDraft(item)]));
    } catch (error) {
      this.message = {
        text: `Could not load the ${this.#options.name}: ${errorMessage(error)}`,
        error: true,
      };
    }
  };

  /** Runs a change and reports it in plain words; the host's field issues are listed. */
  act = async (done: string, change: () => Promise<unknown>): Promise<void> => {
    this.busy = true;
    this.message = null;
    try {
      await change();
      await this.load();
      this.message = { text: done, error: false };
    } catch (error) {
      const issues = errorIssues(error).map((i) => `${i.path.slice(1)} ${i.message}`);
      this.message = { text: `Not saved: ${[errorMessage(error), ...issues].join(' — ')}`, error: true };
    } finally {
      this.busy = false;
    }
  };
}
