// Seeded chats in many scripts and shapes for the MinHash golden test: every branch of the
// shingler (word runs, unspaced runs, case folding that changes length, astral characters, lone
// surrogates, marks, whitespace-only). Bounded loops only.
import type { ChatExample } from '../../src/core/example.js';
import { seededRandom } from '../../src/metrics/stats.js';

const ENGLISH =
  'the quick brown fox jumps over lazy dog refund order shipping account password Invoice DELIVERY package battery screen update Install error network printer can’t don’t e-mail 42 3.14 x86_64 ÉCOLE naïve Straße İstanbul ΣΟΦΟΣ σοφός ǅemal'.split(
    ' ',
  );
const POOLS: Record<string, string> = {
  chinese:
    '的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动同工也能下过子说产种',
  japanese:
    'あいうえおかきくけこさしすせそたちつてとなにぬねのはひふへほまみむめもやゆよアイウエオカキクケコサシスセソーー漢字仮名',
  korean: '안녕하세요감사합니다사랑해요한국어입니다가나다라마바사아자차카타파하',
  thai: 'สวัสดีครับขอบคุณมากภาษาไทยเป็นภาษาที่สวยงาม',
  arabic: 'مرحبا بالعالم كيف حالك اليوم شكرا جزيلا اللغة العربية جميلة',
  lao: 'ສະບາຍດີຂອບໃຈພາສາລາວ',
  khmer: 'សួស្តីអរគុណភាសាខ្មែរ',
  myanmar: 'မင်္ဂလာပါကျေးဇူးတင်ပါတယ်',
  emoji: '😀😃😄😁🎉🚀👍🏽👨‍👩‍👧‍👦🇫🇷❤️✨🔥',
  combining: 'e\u0301a\u0300o\u0308n\u0303u\u0302\u0327c\u0327i\u0307\u0323',
  astral: '𠀀𠀁𠀂𪚥𝔘𝔫𝔦𝔠𝔬𝔡𝔢𐐷𐐸',
  punctuation: '.,;:!?()[]{}"\'`~@#$%^&*-_=+|\\/<>，。；：！？「」『』、…—\u00a0\u3000\t\n\r',
  surrogates: '\ud800\udbff\udc00\udfff\ud83d',
};
const SCRIPTS = Object.keys(POOLS);

/** A generator of chats from a seed; `text(kind)` makes one text of a kind. */
export function multiscriptTexts(seed: number) {
  const random = seededRandom(seed);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)]!;
  const chars = (pool: string, n: number): string => {
    const units = [...pool];
    let out = '';
    for (let i = 0; i < n; i++) out += pick(units);
    return out;
  };
  const words = (n: number): string => Array.from({ length: n }, () => pick(ENGLISH)).join(' ');
  /** Mixed: pieces of several scripts, sometimes glued without a space. */
  const mixed = (pieces: number): string => {
    let out = '';
    for (let i = 0; i < pieces; i++) {
      const script = pick(SCRIPTS);
      const piece =
        random() < 0.4
          ? words(1 + Math.floor(random() * 6))
          : chars(POOLS[script]!, 1 + Math.floor(random() * 12));
      out += random() < 0.5 ? ' ' : '';
      out += piece;
    }
    return out;
  };
  const text = (kind: number): string => {
    switch (kind % 8) {
      case 0:
        return words(5 + Math.floor(random() * 300));
      case 1:
        return chars(POOLS[pick(SCRIPTS)]!, 1 + Math.floor(random() * 200));
      case 2:
        return mixed(1 + Math.floor(random() * 40));
      case 3: // very short
        return random() < 0.5
          ? words(1 + Math.floor(random() * 3))
          : chars(POOLS[pick(SCRIPTS)]!, 1 + Math.floor(random() * 4));
      case 4: // whitespace and punctuation only
        return chars(' \t\n\r\u00a0\u3000.,!?', Math.floor(random() * 20));
      case 5: // very long
        return random() < 0.1
          ? words(3000 + Math.floor(random() * 3000))
          : mixed(50 + Math.floor(random() * 150));
      case 6:
        return chars(POOLS.chinese! + POOLS.punctuation!, 10 + Math.floor(random() * 150));
      default:
        return `${words(3)}${chars(POOLS.surrogates!, 1)}${mixed(5)}${chars(POOLS.combining!, 3)}`;
    }
  };
  const chat = (i: number): ChatExample => {
    const messages: ChatExample['messages'] = [];
    if (i % 5 === 0) messages.push({ role: 'system', content: text(i) });
    messages.push({ role: 'user', content: text(i + 3) }, { role: 'assistant', content: text(i) });
    return { messages };
  };
  return { random, text, chat };
}
