/**
 * A read-mostly table kept in memory for the launch path (registrations, customers): loaded once,
 * reused for `maxAgeMs`, dropped at once by `invalidate()` after a write through this instance.
 * Another instance sees a change within `maxAgeMs`. Concurrent readers share one load, and a load
 * that started before a write is never kept after it.
 */
export class RefreshingSnapshot<T> {
  private value: { at: number; data: T } | null = null;
  private loading: Promise<T> | null = null;
  /** Bumped by every write, so a snapshot read before a write is never kept after it. */
  private generation = 0;

  constructor(
    private readonly load: () => Promise<T>,
    private readonly maxAgeMs: number,
  ) {}

  get(): Promise<T> {
    if (this.value && Date.now() - this.value.at < this.maxAgeMs) {
      return Promise.resolve(this.value.data);
    }
    if (!this.loading) {
      const started = Date.now();
      const gen = this.generation;
      const loading: Promise<T> = this.load()
        .then((data) => {
          if (gen === this.generation) {
            this.value = { at: started, data };
          }
          return data;
        })
        .finally(() => {
          if (this.loading === loading) {
            this.loading = null;
          }
        });
      this.loading = loading;
    }
    return this.loading;
  }

  invalidate(): void {
    this.generation++;
    this.value = null;
    this.loading = null;
  }
}
