// A guest's reads of a hosted chat whose older messages, before hosting
// began, were archived to R2 (./hosted-views.ts, ./mailbox-archive-reads.ts):
// history pages cross from the host's log to the mailbox and on to R2;
// search and message info reach the archived messages as today.

import { describe, expect, it } from "vitest";
import type { Message } from "../../shared/protocol";
import { getJson, hostedChat, idsOf } from "../../test/hosted-chat";
import { archiveAll, configureArchive, historyPages, keysOf, TINY } from "../../test/mailbox-archive";

describe("a guest's reads of a hosted chat, its oldest messages archived", () => {
  it("history pages from the log to the mailbox to R2; search and message info reach the archive", async () => {
    const { guest, chat, ids, olderIds, end } = await hostedChat(12);
    await configureArchive(guest.user.id, TINY);
    expect(await archiveAll(guest.user.id)).toBeGreaterThan(0);
    expect(await keysOf(guest.user.id)).not.toEqual([]);
    const all = [...olderIds, ...ids];
    for (const limit of [2, 4, 5, 50]) {
      expect(idsOf(await historyPages(guest.token, chat, limit))).toEqual(all);
    }
    const hits = (await getJson<{ messages: Message[] }>("/api/search?q=turnip&limit=50", guest.token)).body;
    expect(idsOf(hits.messages)).toEqual([...olderIds].reverse());
    const archived = olderIds[0] as string;
    const info = await getJson<{ id: string }>(`/api/chats/${chat}/messages/${archived}/receipts`, guest.token);
    expect([info.status, info.body.id]).toEqual([200, archived]);
    await end();
  });
});
