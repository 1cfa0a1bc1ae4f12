import { Module } from '@nestjs/common';
import { DiscoveryController } from './discovery.controller';
import { DiscoveryService } from './discovery.service';

@Module({ imports: [], controllers: [DiscoveryController], providers: [DiscoveryService], exports: [] })
export class DiscoveryModule {}
