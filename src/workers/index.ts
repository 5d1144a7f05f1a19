// The Worker's entry module: the HTTP app and the Durable Object classes that
// wrangler.toml binds.

import { app } from "./app";

export { GroupObject } from "../objects/group-object";
export { ThrottleObject } from "../objects/throttle-object";
export { UserObject } from "../objects/user-object";

export default app satisfies ExportedHandler<Env>;
