/**
 * Paths of the ffmpeg and ffprobe executables: `FFMPEG_PATH` / `FFPROBE_PATH` when set (the names
 * fluent-ffmpeg and most tools use), otherwise whatever `PATH` finds.
 */
export function ffmpegBinary(tool: 'ffmpeg' | 'ffprobe'): string {
  const fromEnv = tool === 'ffmpeg' ? process.env.FFMPEG_PATH : process.env.FFPROBE_PATH;
  return fromEnv && fromEnv.length > 0 ? fromEnv : tool;
}
