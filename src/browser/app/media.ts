/**
 * Live audio for audio/audioFFT inputs: a file played in a loop, or the microphone, read each frame through a
 * Web Audio AnalyserNode as time-domain samples (the scene turns them into a waveform or FFT image itself).
 */
import type { AudioSamples } from '../../core/audio.ts';
import { ISFError } from '../../core/errors.ts';

const FFT_SIZE = 2048;

let sharedContext: AudioContext | undefined;
function audioContext(): AudioContext {
  sharedContext ??= new AudioContext();
  // Autoplay policy: a context made outside a gesture starts suspended; the pick/click that got us here counts.
  void sharedContext.resume();
  return sharedContext;
}

export class AudioFeed {
  private readonly buffers: Float32Array<ArrayBuffer>[];

  private constructor(
    readonly label: string,
    private readonly analysers: AnalyserNode[],
    private readonly stopNodes: () => void,
  ) {
    this.buffers = analysers.map((a) => new Float32Array(a.fftSize));
  }

  /** The latest FFT_SIZE samples of each channel. */
  read(): AudioSamples {
    for (const [i, a] of this.analysers.entries()) a.getFloatTimeDomainData(this.buffers[i]!);
    return { channels: this.buffers, sampleRate: audioContext().sampleRate };
  }

  stop(): void {
    this.stopNodes();
  }

  private static analyse(source: AudioNode, channels: number): AnalyserNode[] {
    const ctx = audioContext();
    const splitter = ctx.createChannelSplitter(channels);
    source.connect(splitter);
    return Array.from({ length: channels }, (_, i) => {
      const a = ctx.createAnalyser();
      a.fftSize = FFT_SIZE;
      a.smoothingTimeConstant = 0;
      splitter.connect(a, i);
      return a;
    });
  }

  /** Decodes an audio file and plays it in a loop (audible), analysed per channel (at most 2). */
  static async fromFile(file: Blob & { name?: string }): Promise<AudioFeed> {
    const ctx = audioContext();
    let buffer: AudioBuffer;
    try {
      buffer = await ctx.decodeAudioData(await file.arrayBuffer());
    } catch (e) {
      throw new ISFError(
        'AUDIO_DECODE',
        `Cannot decode audio file ${file.name ?? ''}: ${(e as Error).message}`,
      );
    }
    const node = ctx.createBufferSource();
    node.buffer = buffer;
    node.loop = true;
    node.connect(ctx.destination);
    const analysers = AudioFeed.analyse(node, Math.min(2, buffer.numberOfChannels));
    node.start();
    return new AudioFeed(file.name ?? 'audio file', analysers, () => {
      node.stop();
      node.disconnect();
    });
  }

  /** The microphone (not played back, so no feedback). */
  static async fromMicrophone(): Promise<AudioFeed> {
    let stream: MediaStream;
    try {
      stream = await navigator.mediaDevices.getUserMedia({ audio: true });
    } catch (e) {
      throw new ISFError('AUDIO_DECODE', `No microphone: ${(e as Error).message}`);
    }
    const node = audioContext().createMediaStreamSource(stream);
    const analysers = AudioFeed.analyse(node, 1);
    return new AudioFeed('microphone', analysers, () => {
      node.disconnect();
      for (const t of stream.getTracks()) t.stop();
    });
  }
}
