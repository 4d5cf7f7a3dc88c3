import { Module } from '@nestjs/common';
import { FirstRunAdmin } from './first-run-admin';
import { UsersModule } from './users.module';

/** The server's, not the CLI's: on a first start it creates the admin; the CLI seeds one only when asked. */
@Module({ imports: [UsersModule], providers: [FirstRunAdmin] })
export class FirstRunAdminModule {}
