import { Module } from '@nestjs/common';
import { WatchService } from '../watch/watch.service';
import { ManifestResources } from './manifest-resources.service';
import { ObjectReads } from './object-reads.service';
import { ObjectWriter } from './object-writer.service';

@Module({ imports: [], controllers: [], providers: [ObjectReads, ObjectWriter, ManifestResources, WatchService], exports: [ObjectReads, ObjectWriter, ManifestResources, WatchService] })
export class ResourcesModule {}
