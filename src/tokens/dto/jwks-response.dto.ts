import { ApiProperty } from '@nestjs/swagger';

export class JwksResponseDto {
  @ApiProperty({
    description: 'One public JWK per key: `kty`, `kid`, `alg`, `use: "sig"` and its public members only',
    example: [
      {
        kty: 'EC',
        crv: 'P-256',
        x: 'f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU',
        y: 'x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0',
        kid: 'Z0nF1bLx1pS0qR6mT2vW8yA4cE7gI9kM3oQ5sU1wY3z',
        alg: 'ES256',
        use: 'sig',
      },
    ],
  })
  keys!: Record<string, string>[];
}
