import { inputArgs, liveDecodeArgs, outputSizeFromLog } from '../../native-host/live/live-input-args';
import { failureReason } from '../../native-host/live/live-input';
import { HostError } from '../../native-host/errors';

describe('live input: ffmpeg arguments per platform', () => {
  it('loops a file forever at its own rate', () => {
    expect(inputArgs({ kind: 'file', path: 'a b.mp4' })).toEqual(['-stream_loop', '-1', '-re', '-i', 'a b.mp4']);
  });

  it('opens a camera with each platform’s capture device', () => {
    const cam = { kind: 'camera' as const, device: '0', videoSize: { width: 1280, height: 720 }, framerate: 30 };
    expect(inputArgs(cam, 'linux')).toEqual(['-f', 'v4l2', '-video_size', '1280x720', '-framerate', '30', '-i', '/dev/video0']);
    expect(inputArgs({ kind: 'camera', device: '/dev/video2' }, 'linux')).toEqual(['-f', 'v4l2', '-i', '/dev/video2']);
    expect(inputArgs({ kind: 'camera', device: 'Integrated Camera' }, 'win32')).toEqual(['-f', 'dshow', '-rtbufsize', '64M', '-i', 'video=Integrated Camera']);
    expect(inputArgs({ kind: 'camera', device: 'video=USB Cam' }, 'win32')).toEqual(['-f', 'dshow', '-rtbufsize', '64M', '-i', 'video=USB Cam']);
    expect(inputArgs({ kind: 'camera', device: 'FaceTime HD Camera' }, 'darwin')).toEqual(['-f', 'avfoundation', '-framerate', '30', '-i', 'FaceTime HD Camera:none']);
    expect(() => inputArgs({ kind: 'camera', device: '0' }, 'aix')).toThrow(HostError);
  });

  it('decodes to raw RGB24 on stdout, scaled to a pinned size when one is given', () => {
    const args = liveDecodeArgs({ kind: 'file', path: 'x.mkv' }, { width: 160, height: 90 }, 'linux');
    expect(args.slice(-9)).toEqual(['-vf', 'scale=160:90', '-vsync', 'passthrough', '-f', 'rawvideo', '-pix_fmt', 'rgb24', 'pipe:1']);
    expect(liveDecodeArgs({ kind: 'file', path: 'x.mkv' })).not.toContain('-vf');
  });

  it('reads the output size from the log once its line is complete, not the input’s', () => {
    const header = [
      "[info] Input #0, matroska,webm, from 'x.mkv':",
      '[info]   Stream #0:0: Video: ffv1 (FFV1 / 0x31564646), bgr0(pc, gbr/unknown/unknown, progressive), 640x360, SAR 1:1 DAR 16:9, 25 fps',
      "[info] Output #0, rawvideo, to 'pipe:1':",
    ].join('\n');
    const stream = '[info]   Stream #0:0: Video: rawvideo (RGB[24] / 0x18424752), rgb24(pc, gbr/unknown/unknown, progressive), 160x90 [SAR 1:1 DAR 16:9], q=2-31';
    expect(outputSizeFromLog(header)).toBeUndefined();
    expect(outputSizeFromLog(`${header}\n${stream.slice(0, 60)}`)).toBeUndefined();
    expect(outputSizeFromLog(`${header}\n${stream}\n`)).toEqual({ width: 160, height: 90 });
  });

  it('names the failure from the error lines, without the input’s own name', () => {
    const log = ['[info] Input #0 …', '[error] /dev/video0: No such file or directory', '[info] Conversion failed!'].join('\n');
    expect(failureReason(log, '/dev/video0')).toBe('No such file or directory');
    expect(failureReason('[info] nothing wrong\n[warning] -vsync is deprecated. Use -fps_mode\n', 'x')).toBeUndefined();
  });
});
