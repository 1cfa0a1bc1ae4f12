import { Module } from '@nestjs/common';
import { ResourcesModule } from '../resources/resources.module';
import { WatchHistoryCompactor } from './watch-history.compactor';

@Module({ imports: [ResourcesModule], controllers: [], providers: [WatchHistoryCompactor], exports: [] })
export class WatchModule {}
