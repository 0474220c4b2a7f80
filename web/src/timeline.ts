/**
 * The timeline over every snapshot: a slider, steps, play/pause with a speed, and the keyboard
 * (arrow keys step, Home/End jump, space plays) anywhere on the page outside a text field.
 * Playing waits for each snapshot to be drawn before the next, so a slow network slows the
 * animation down instead of piling up requests.
 */
import { utc } from './format.js';

export interface TimelineSnapshot { id: string; time: string; flag: string | null }

export class Timeline {
  index = 0;
  private playing = false;
  private timer = 0;
  private readonly slider: HTMLInputElement;
  private readonly label: HTMLOutputElement;
  private readonly playButton: HTMLButtonElement;
  private readonly speed: HTMLSelectElement;

  constructor(
    root: HTMLElement,
    readonly snapshots: TimelineSnapshot[],
    /** Shows a snapshot; resolves once it is drawn. */
    private readonly show: (index: number) => Promise<void>,
  ) {
    this.slider = root.querySelector<HTMLInputElement>('#timeline-slider')!;
    this.label = root.querySelector<HTMLOutputElement>('#timeline-date')!;
    this.playButton = root.querySelector<HTMLButtonElement>('#play')!;
    this.speed = root.querySelector<HTMLSelectElement>('#speed')!;
    this.slider.min = '0';
    this.slider.max = String(snapshots.length - 1);
    this.slider.step = '1';
    this.slider.addEventListener('input', () => this.go(Number(this.slider.value)));
    root.querySelector('#step-back')!.addEventListener('click', () => this.step(-1));
    root.querySelector('#step-forward')!.addEventListener('click', () => this.step(1));
    this.playButton.addEventListener('click', () => this.toggle());
    document.addEventListener('keydown', (e) => this.onKey(e));
  }

  go(index: number): void {
    this.index = Math.max(0, Math.min(this.snapshots.length - 1, index));
    const s = this.snapshots[this.index]!;
    this.slider.value = String(this.index);
    this.slider.setAttribute('aria-valuetext', `${utc(s.time)}, snapshot ${this.index + 1} of ${this.snapshots.length}`);
    this.label.textContent = `${utc(s.time)}`;
    this.label.title = `snapshot ${s.id}`;
    void this.show(this.index);
  }

  step(delta: number): void {
    if (this.playing) this.toggle();
    this.go(this.index + delta);
  }

  toggle(): void {
    this.playing = !this.playing;
    this.playButton.textContent = this.playing ? 'Pause' : 'Play';
    this.playButton.setAttribute('aria-pressed', String(this.playing));
    window.clearTimeout(this.timer);
    if (this.playing) {
      if (this.index >= this.snapshots.length - 1) this.go(0);
      void this.tick();
    }
  }

  private async tick(): Promise<void> {
    if (!this.playing) return;
    const started = performance.now();
    if (this.index >= this.snapshots.length - 1) {
      this.toggle();
      return;
    }
    this.index++;
    const s = this.snapshots[this.index]!;
    this.slider.value = String(this.index);
    this.slider.setAttribute('aria-valuetext', `${utc(s.time)}, snapshot ${this.index + 1} of ${this.snapshots.length}`);
    this.label.textContent = utc(s.time);
    await this.show(this.index);
    const wait = Math.max(0, 1000 / Number(this.speed.value) - (performance.now() - started));
    if (this.playing) this.timer = window.setTimeout(() => void this.tick(), wait);
  }

  get isPlaying(): boolean {
    return this.playing;
  }

  private onKey(e: KeyboardEvent): void {
    const t = e.target as HTMLElement | null;
    if (e.altKey || e.ctrlKey || e.metaKey) return;
    const tag = t?.tagName;
    const typing = tag === 'INPUT' && (t as HTMLInputElement).type !== 'range' || tag === 'SELECT' || tag === 'TEXTAREA';
    if (typing) return;
    // the map canvas uses arrow keys to pan; the slider and the page use them to step
    if (t?.classList?.contains('maplibregl-canvas')) return;
    if (e.key === ' ' && tag !== 'BUTTON') {
      e.preventDefault();
      this.toggle();
    } else if ((e.key === 'ArrowLeft' || e.key === 'ArrowRight') && tag !== 'INPUT') {
      e.preventDefault();
      this.step(e.key === 'ArrowLeft' ? -1 : 1);
    } else if (e.key === 'Home' && tag !== 'INPUT') {
      e.preventDefault();
      this.step(-this.snapshots.length);
    } else if (e.key === 'End' && tag !== 'INPUT') {
      e.preventDefault();
      this.step(this.snapshots.length);
    }
  }
}
