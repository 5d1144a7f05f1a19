// Who received and who read one of my messages, and when.

import type { ChatId } from "../../shared/protocol";
import type { AppStore } from "../store/app-store";
import { recipientsOf, tickStatus } from "../store/ticks";
import { Bubble } from "./bubble";
import { fullWhen } from "./format";
import { TopBar } from "./top-bar";

export function MessageInfo({ store, chat, messageId }: { store: AppStore; chat: ChatId; messageId: string }) {
  const message = store.chats.entry(chat).messages.get(messageId);
  if (!message) return <TopBar store={store} title={<h1>Message info</h1>} />;
  const group = chat.startsWith("g:") ? store.directory.groups.get(chat.slice(2)) : undefined;
  const recipients = recipientsOf(message, store.userId, group, store.chats.joinedAfter(chat, messageId));
  const book = store.receipts.get(messageId);
  const when = (ts: number | undefined) => (ts === undefined ? "not yet" : fullWhen(ts));
  return (
    <section class="screen" aria-labelledby="info-title">
      <TopBar store={store} title={<h1 id="info-title">Message info</h1>} />
      <ol class="messages static">
        <Bubble store={store} message={message} />
      </ol>
      <p class="info-summary">Status: {tickStatus(message, recipients, store.receipts)}</p>
      <table class="receipts">
        <caption class="sr-only">Delivery and read times per recipient</caption>
        <thead>
          <tr>
            <th scope="col">Recipient</th>
            <th scope="col">Delivered</th>
            <th scope="col">Read</th>
          </tr>
        </thead>
        <tbody>
          {recipients.map((id) => {
            const entry = book?.get(id);
            return (
              <tr key={id} data-user={id}>
                <th scope="row">{store.directory.userName(id)}</th>
                <td>{when(entry?.delivered ?? entry?.read)}</td>
                <td>{when(entry?.read)}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </section>
  );
}
