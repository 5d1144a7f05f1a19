// The RPC surface of a one-to-one chat hosted by one of its two users
// (docs/one-copy-per-chat.md): what the host answers its guest (appends,
// changes, reads of the log, acknowledgements) and what the guest takes from
// its host (entries, receipts as positions). A layer of UserObject
// (../../user-object.ts), kept apart so the object's file stays a shell:
// every public method here is an RPC method of the user object.

import { DurableObject } from "cloudflare:workers";
import { type Result, settle } from "../../../shared/errors";
import type { HostedChange } from "../../../shared/schemas/hosted";
import type { GroupEntry } from "../../group-entry";
import type { PulledPage } from "../../group-object";
import { hostedAck, takeHostedReceipts, withRead } from "../hosted-acks";
import { appendFromGuest, type GuestMessage, type HostedAnswer } from "../hosted-append";
import {
  type ArchivedHostReader,
  entriesThrough,
  historyThrough,
  messageThrough,
  pullThrough,
  searchThrough,
} from "../hosted-archive";
import { type HostedChangeAnswer, hostedChange } from "../hosted-changes";
import { type HostedReceiptOf, hostedReceiptOf } from "../hosted-info";
import type { HeldPositions, HostedReceiptBatch } from "../hosted-receipts";
import { takeHosted } from "../inbound";
import type { UserParts } from "../parts";
import { changeHost, hostSide } from "../sides";
import type { ReactionNews } from "../web-push";

export abstract class HostedRpc extends DurableObject<Env> {
  protected abstract readonly parts: UserParts;

  /** The host of a chat with this user hands over its entries of the chat's log (user/hosted-push.ts); null: send copies. */
  async takeHosted(
    host: string,
    entries: GroupEntry[],
    after: string,
    reactions?: ReactionNews[],
  ): Promise<{ online: boolean } | null> {
    return takeHosted(this.parts, host, entries, after, reactions);
  }

  /**
   * A guest's message to the one-to-one chat this user hosts with it
   * (user/hosted-append.ts, docs/one-copy-per-chat.md step 1): nothing calls
   * it yet but its tests. A retry (same guest and clientId) answers the first answer.
   * `retryOnly`: only a retry's answer (a guest that blocked this user); nothing is stored.
   */
  async appendFromGuest(guest: string, message: GuestMessage, retryOnly = false): Promise<Result<HostedAnswer>> {
    return settle(() => appendFromGuest(hostSide(this.parts), guest, message, retryOnly));
  }

  /**
   * A guest's edit, delete for everyone or reaction in the chat this user
   * hosts with it, as a group member's of its group (user/hosted-changes.ts):
   * nothing calls it yet but its tests. A retry answers the first answer.
   * `retryOnly`: only a retry's answer (a guest that blocked this user); no change is made.
   */
  async hostedChange(
    guest: string,
    clientId: string,
    change: HostedChange,
    retryOnly = false,
  ): Promise<Result<HostedChangeAnswer>> {
    return settle(() => hostedChange(changeHost(this.parts), guest, clientId, change, Date.now(), retryOnly));
  }

  // A guest's reads of the chat this user hosts with it, as a group member's of its group
  // (user/hosted-reads.ts; docs/one-copy-per-chat.md step 2): nothing calls them yet but their tests.

  async hostedPull(guest: string, after: string, limit: number, known?: string): Promise<Result<PulledPage>> {
    return settle(async () =>
      withRead(this.parts, guest, await pullThrough(this.hostReader, guest, after, limit), after, known),
    );
  }

  async hostedEntries(guest: string, from: number, to: number): Promise<Result<GroupEntry[]>> {
    return settle(() => entriesThrough(this.hostReader, guest, from, to));
  }

  async hostedHistory(guest: string, before: string | undefined, limit: number): Promise<Result<GroupEntry[]>> {
    return settle(() => historyThrough(this.hostReader, guest, before, limit));
  }

  async hostedMessage(guest: string, id: string): Promise<Result<GroupEntry | null>> {
    return settle(() => messageThrough(this.hostReader, guest, id));
  }

  async hostedSearch(
    guest: string,
    match: string,
    before: string | undefined,
    limit: number,
  ): Promise<Result<GroupEntry[]>> {
    return settle(() => searchThrough(this.hostReader, guest, match, before, limit));
  }

  private get hostReader(): ArchivedHostReader {
    const { userId, mailbox, archiveReads: archive } = this.parts;
    return { userId, sql: this.ctx.storage.sql, mailbox, archive };
  }

  // Receipts of a hosted chat as positions (user/hosted-receipts.ts, user/hosted-acks.ts; step 3).

  /** The host's delivered and read positions of the chat it hosts with this user, and the ids they newly cover. */
  async takeHostedReceipts(host: string, batch: HostedReceiptBatch): Promise<Result<HeldPositions>> {
    return settle(() => takeHostedReceipts(this.parts, host, batch));
  }

  /** The guest's devices got (or read) this user's messages of the chat hosted here up to these ids. */
  async hostedAck(
    guest: string,
    delivered: string,
    read: string,
    upto: string,
  ): Promise<Result<{ unread: number | null }>> {
    return settle(() => hostedAck(this.parts, guest, delivered, read, upto));
  }

  /** Message info of a guest's message here, from this side's positions (user/hosted-info.ts). */
  async hostedReceiptOf(guest: string, id: string): Promise<Result<HostedReceiptOf>> {
    return settle(() => hostedReceiptOf(this.parts, guest, id));
  }
}
