import { Module } from '@nestjs/common';
import { GenerateKeyCommand } from './generate-key.command';

/** The commands that need neither configuration nor a database: a key is made before either exists. */
@Module({ providers: [GenerateKeyCommand] })
export class KeyCliModule {}
