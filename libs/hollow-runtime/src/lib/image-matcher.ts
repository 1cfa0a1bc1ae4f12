import { parseImageReference } from '@berth/docker-runtime';

/** Values keyed by image: `repo:tag` / `repo@digest` match exactly, a bare `repo` matches every tag of it. */
export class ImageMatcher<T> {
  private readonly exact = new Map<string, T>();
  private readonly byRepo = new Map<string, T>();

  set(image: string, value: T | undefined): void {
    const ref = parseImageReference(image);
    const bare = ref.tag === undefined && ref.digest === undefined;
    const map = bare ? this.byRepo : this.exact;
    const key = bare ? ref.name : ref.normalized;
    if (value === undefined) map.delete(key);
    else map.set(key, value);
  }

  /** normalized: a parseImageReference().normalized reference; name: its repository. */
  get(normalized: string, name: string): T | undefined {
    return this.exact.get(normalized) ?? this.byRepo.get(name);
  }

  has(normalized: string, name: string): boolean {
    return this.exact.has(normalized) || this.byRepo.has(name);
  }
}
