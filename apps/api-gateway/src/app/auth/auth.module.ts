import { Global, Module } from '@nestjs/common';
import { AccessGuard } from './access.guard';
import { Authenticator } from './authenticator.service';

/** Global: every controller guards itself with AccessGuard. */
@Global()
@Module({ providers: [Authenticator, AccessGuard], exports: [Authenticator, AccessGuard] })
export class AuthModule {}
