import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { ApiObjectReader, ProjectionPump } from '@berth/api-read-models';
import { GATEWAY_CONFIG, GatewayConfig } from '../app.config';

const EVERY_MS = 60_000;

/** Keeps the watch feed to the last WATCH_HISTORY_POSITIONS positions (older resumptions get 410 Gone). */
@Injectable()
export class WatchHistoryCompactor implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(WatchHistoryCompactor.name);
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly reader: ApiObjectReader,
    private readonly pump: ProjectionPump,
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => void this.compact(), EVERY_MS);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    if (this.timer) clearInterval(this.timer);
  }

  async compact(): Promise<number> {
    const through = this.pump.position - this.config.WATCH_HISTORY_POSITIONS;
    if (through <= 0) return 0;
    try {
      return await this.reader.compactChanges(through);
    } catch (error) {
      this.logger.warn({ msg: 'watch history compaction failed', error: String(error) });
      return 0;
    }
  }
}
