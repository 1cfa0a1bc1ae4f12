import { Module } from '@nestjs/common';
import { DeploymentsModule } from '../deployments/deployments.module';
import { HpasModule } from '../hpas/hpas.module';
import { NamespacesModule } from '../namespaces/namespaces.module';
import { ResourcesModule } from '../resources/resources.module';
import { ServicesModule } from '../services/services.module';
import { ApplyController } from './apply.controller';
import { ApplyService } from './apply.service';

@Module({ imports: [ResourcesModule, DeploymentsModule, ServicesModule, HpasModule, NamespacesModule], controllers: [ApplyController], providers: [ApplyService], exports: [] })
export class ApplyModule {}
