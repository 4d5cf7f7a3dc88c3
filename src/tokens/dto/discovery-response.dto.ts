export class DiscoveryResponseDto {
  /**
   * Equal to the `iss` of every token (JWT_ISSUER).
   * @example "auth-service"
   */
  issuer!: string;

  /** @example "https://auth.example.com/.well-known/jwks.json" */
  jwks_uri!: string;

  /** @example "https://auth.example.com/v1/introspect" */
  introspection_endpoint!: string;

  /** @example ["client_secret_basic"] */
  introspection_endpoint_auth_methods_supported!: string[];

  /** @example ["ES256"] */
  id_token_signing_alg_values_supported!: string[];
}
