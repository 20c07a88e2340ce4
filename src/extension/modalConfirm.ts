// The extension's modal confirmations (e.g. resuming a run folder that is not this machine's own). A real modal
// dialog can be neither read nor answered from the extension host, where the e2e suite runs, so under SPO_TEST=1
// the suite can script the answers of the next modals and read what each showed; otherwise this is the dialog.
import * as vscode from 'vscode';

export interface ShownModal {
  message: string;
  detail: string;
  actions: string[];
  /** The scripted answer given (undefined: dismissed). */
  answer: string | undefined;
}

export class ModalConfirmer {
  /** Answers for the next modals, in order, when the e2e suite scripted them (undefined in an entry: dismiss). */
  private scripted: Array<string | undefined> | null = null;
  private readonly shown: ShownModal[] = [];

  /** Show a modal warning with `actions`; the action picked, or undefined when dismissed. */
  async ask(message: string, detail: string, ...actions: string[]): Promise<string | undefined> {
    if (this.scripted && this.scripted.length > 0) {
      const answer = this.scripted.shift();
      this.shown.push({ message, detail, actions, answer });
      return answer !== undefined && actions.includes(answer) ? answer : undefined;
    }
    return vscode.window.showWarningMessage(message, { modal: true, detail }, ...actions);
  }

  /** The e2e hooks (SPO_TEST=1 only): script the next answers (null: dismiss), read the modals shown since. */
  testHooks(): vscode.Disposable[] {
    if (process.env.SPO_TEST !== '1') return [];
    return [
      vscode.commands.registerCommand('spo._test.scriptModals', (answers: Array<string | null>) => {
        this.scripted = answers.map((a) => a ?? undefined);
        this.shown.length = 0;
      }),
      vscode.commands.registerCommand('spo._test.getShownModals', (): ShownModal[] => [...this.shown]),
    ];
  }
}
