/** Names derived from the schema, shared by the migration and the store. */
export function quoteIdent(name: string): string {
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(name)) throw new Error(`unsafe SQL identifier "${name}"`);
  return `"${name}"`;
}

export function notifyChannel(schema: string): string {
  return `berth_events_${schema}`;
}

/** Key of the transaction-scoped lock that serializes appends in one schema. */
export function appendLockKey(schema: string): string {
  return `hashtext('berth-append:${schema}')`;
}
