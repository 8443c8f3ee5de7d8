import { HAND_SENT_KINDS, type HandSentKind } from '../../kernel/message-kinds.js';
import type { ErrorBody, SendRequest, SendResponse } from '../protocol.js';
import { h } from './dom.js';

/** Shown only with `cc2cc ui --allow-send`: send a message to an agent, room or topic as `sender`. */
export class SendBox {
  readonly element: HTMLFormElement;
  private readonly to = h('input', {
    id: 'send-to',
    required: true,
    list: 'send-targets',
    placeholder: 'agent, room:x, topic:y or *',
    autocomplete: 'off',
  });
  private readonly targets = h('datalist', { id: 'send-targets' });
  private readonly text = h('input', {
    id: 'send-text',
    required: true,
    placeholder: 'message text',
    autocomplete: 'off',
  });
  private readonly kind = h(
    'select',
    { id: 'send-kind', 'aria-label': 'Kind' },
    ...HAND_SENT_KINDS.map((kind) => h('option', { value: kind }, kind)),
  );
  private readonly result = h('output', { class: 'send-result', for: 'send-text', 'aria-live': 'polite' });

  constructor(sender: string) {
    this.element = h(
      'form',
      { class: 'send-box', id: 'send-box', 'aria-label': 'Send a message' },
      h('span', { class: 'as' }, `as ${sender} →`),
      h('label', { class: 'visually-hidden', for: 'send-to' }, 'To'),
      this.to,
      this.targets,
      h('label', { class: 'visually-hidden', for: 'send-text' }, 'Text'),
      this.text,
      this.kind,
      h('button', { type: 'submit' }, 'Send'),
      this.result,
    );
    this.element.addEventListener('submit', (event) => {
      event.preventDefault();
      void this.send();
    });
  }

  offer(targets: string[]): void {
    const key = targets.join('\n');
    if (this.targets.dataset['key'] === key) return;
    this.targets.dataset['key'] = key;
    this.targets.replaceChildren(...targets.map((target) => h('option', { value: target })));
  }

  private async send(): Promise<void> {
    const request: SendRequest = {
      to: this.to.value.trim(),
      text: this.text.value,
      kind: this.kind.value as HandSentKind,
    };
    this.result.textContent = 'sending…';
    try {
      const response = await fetch('api/send', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify(request),
      });
      const body = (await response.json()) as SendResponse | ErrorBody;
      if ('error' in body) {
        this.result.textContent = `not sent: ${body.error.message}`;
        return;
      }
      this.result.textContent = body.refused
        ? `refused: ${body.refused}`
        : body.results
            .map((entry) => `${entry.agent}: ${entry.status}${entry.reason ? ` (${entry.reason})` : ''}`)
            .join(', ');
      if (!body.refused) this.text.value = '';
    } catch (error) {
      this.result.textContent = `not sent: ${error instanceof Error ? error.message : String(error)}`;
    }
  }
}
