import { describe, expect, it } from 'vitest';
import { mapMessageMedia } from './map-message-media.js';

const upper = (url: string) => (url.startsWith('file:') ? url.toUpperCase() : url);

describe('mapMessageMedia', () => {
  it('maps DashScope native image, audio and video parts, video frame lists included, and never text', () => {
    const messages = [
      { role: 'system', content: [{ text: 'file:///etc/passwd' }] },
      {
        role: 'user',
        content: [
          { image: 'file:///a.png' },
          { audio: 'file:///b.mp3' },
          { video: ['file:///f1.jpg', 'https://x/f2.jpg'] },
          { text: 'file:///c.txt' },
        ],
      },
    ];
    expect(mapMessageMedia(messages, upper)).toEqual([
      messages[0],
      {
        role: 'user',
        content: [
          { image: 'FILE:///A.PNG' },
          { audio: 'FILE:///B.MP3' },
          { video: ['FILE:///F1.JPG', 'https://x/f2.jpg'] },
          { text: 'file:///c.txt' },
        ],
      },
    ]);
  });

  it('maps OpenAI-style image_url, video_url, input_audio, video frames and file parts', () => {
    const messages = [
      {
        role: 'user',
        content: [
          { type: 'text', text: 'file:///not-me.png' },
          { type: 'image_url', image_url: { url: 'file:///a.png', detail: 'high' } },
          { type: 'image_url', image_url: 'file:///b.png' },
          { type: 'video_url', video_url: { url: 'file:///c.mp4' } },
          { type: 'input_audio', input_audio: { data: 'file:///d.wav', format: 'wav' } },
          { type: 'video', video: ['file:///e1.jpg', 'file:///e2.jpg'] },
          { type: 'file', file: { file_data: 'file:///f.pdf', filename: 'f.pdf' } },
        ],
      },
    ];
    const [message] = mapMessageMedia(messages, upper);
    expect(message?.content).toEqual([
      { type: 'text', text: 'file:///not-me.png' },
      { type: 'image_url', image_url: { url: 'FILE:///A.PNG', detail: 'high' } },
      { type: 'image_url', image_url: 'FILE:///B.PNG' },
      { type: 'video_url', video_url: { url: 'FILE:///C.MP4' } },
      { type: 'input_audio', input_audio: { data: 'FILE:///D.WAV', format: 'wav' } },
      { type: 'video', video: ['FILE:///E1.JPG', 'FILE:///E2.JPG'] },
      { type: 'file', file: { file_data: 'FILE:///F.PDF', filename: 'f.pdf' } },
    ]);
  });

  it('copies only what changed and never modifies the input', () => {
    const untouched = { role: 'user', content: [{ image: 'https://x/a.png' }] };
    const changed = { role: 'user', content: [{ image: 'file:///a.png' }, { text: 'hi' }] };
    const messages = [untouched, changed, { role: 'assistant', content: 'plain text' }];
    const snapshot = structuredClone(messages);
    const result = mapMessageMedia(messages, upper);
    expect(messages).toEqual(snapshot);
    expect(result[0]).toBe(untouched);
    expect(result[1]).not.toBe(changed);
    expect(result[1]?.content[1]).toBe(changed.content[1]);
    expect(result[2]).toBe(messages[2]);
  });

  it('returns the same array when nothing is local', () => {
    const messages = [
      { role: 'user', content: [{ type: 'image_url', image_url: { url: 'oss://d/x.png' } }] },
    ];
    expect(mapMessageMedia(messages, upper)).toBe(messages);
  });

  it('visits every URL in order', () => {
    const seen: string[] = [];
    mapMessageMedia(
      [
        { role: 'user', content: [{ image: '1' }, { video: ['2', '3'] }] },
        { role: 'user', content: [{ type: 'image_url', image_url: { url: '4' } }] },
      ],
      (url) => {
        seen.push(url);
        return url;
      },
    );
    expect(seen).toEqual(['1', '2', '3', '4']);
  });
});
