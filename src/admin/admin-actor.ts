/** Who is making an operator's change, as the audit trail names them. */
export interface AdminActor {
  /** `user:<username>` or `key:<name>` over HTTP; `cli:<system user>` from the CLI. */
  actor: string;
}
