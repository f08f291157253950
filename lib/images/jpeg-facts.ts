/**
 * What a JPEG's header says about publishing it unchanged: its frame, colour model, orientation,
 * ICC profile and the metadata a strip would drop. Read from the bytes only.
 */
import { exifOrientation } from './exif-orientation';
import { assembleIccProfile } from './icc-profile';
import { MARKER, readJpegSegments, segmentPayload, type JpegSegment } from './jpeg-segments';
import { droppedAs } from './jpeg-strip';

/** SOF0–SOF15 except DHT (C4), JPG (C8) and DAC (CC). */
const FRAME_MARKERS = new Set([0xc0, 0xc1, 0xc2, 0xc3, 0xc5, 0xc6, 0xc7, 0xc9, 0xca, 0xcb, 0xcd, 0xce, 0xcf]);

export interface FrameHeader {
  /** SOFn marker: 0xc0 baseline, 0xc1 extended, 0xc2 progressive; the rest are lossless, hierarchical or arithmetic. */
  readonly marker: number;
  /** Bits per sample: 8 for anything a browser shows. */
  readonly precision: number;
  readonly width: number;
  /** 0 when a DNL marker gives it after the first scan. */
  readonly height: number;
  /** 1 grey, 3 YCbCr or RGB, 4 CMYK or YCCK. */
  readonly components: number;
}

export type ColourModel = 'grey' | 'YCbCr' | 'RGB' | 'CMYK' | 'YCCK' | 'unknown';

export interface JpegFacts {
  readonly hasExif: boolean;
  readonly hasXmp: boolean;
  /** APP13 Photoshop 3.0 (IPTC and other Photoshop resources). */
  readonly hasIptc: boolean;
  readonly hasComment: boolean;
  /** APPn other than JFIF, EXIF, XMP, ICC, Adobe APP14 and Photoshop APP13 (MPF, JFXX, APP12 Ducky…). */
  readonly hasOtherApp: boolean;
  /** 1–8; 1 without EXIF or without the tag; undefined when the EXIF block cannot be read (see problems). */
  readonly orientation: number | undefined;
  /** The profile reassembled from its APP2 chunks; undefined when there is none or it is broken (see problems). */
  readonly icc: Buffer | undefined;
  /** The first frame header; undefined when there is none or it is too short (see problems). */
  readonly frame: FrameHeader | undefined;
  /** Adobe APP14's colour transform: 0 none (RGB/CMYK), 1 YCbCr, 2 YCCK. */
  readonly adobeTransform: number | undefined;
  readonly colour: ColourModel;
  readonly trailingBytes: number;
  /** What stripMetadata would drop, labelled once each: 'EXIF', 'XMP', 'IPTC', 'comment', 'MPF', 'APP12'… */
  readonly dropped: readonly string[];
  /** Damaged metadata that cannot be judged safely: an unreadable orientation, a broken ICC profile, a bad frame header. */
  readonly problems: readonly string[];
}

function readFrame(payload: Buffer, marker: number): FrameHeader | undefined {
  if (payload.length < 6) return undefined;
  return { marker, precision: payload[0] as number, height: payload.readUInt16BE(1), width: payload.readUInt16BE(3), components: payload[5] as number };
}

/** libjpeg's reading: Adobe's transform decides between RGB/YCbCr and CMYK/YCCK; without it, 3 is YCbCr and 4 CMYK. */
function colourModel(components: number | undefined, adobeTransform: number | undefined): ColourModel {
  if (components === 1) return 'grey';
  if (components === 3) return adobeTransform === 0 ? 'RGB' : 'YCbCr';
  if (components === 4) return adobeTransform === 2 ? 'YCCK' : 'CMYK';
  return 'unknown';
}

/** Facts about `jpeg`; throws JpegFormatError (only) when it is not a well-formed JPEG. */
export function jpegFacts(jpeg: Buffer): JpegFacts {
  const { segments, trailingBytes } = readJpegSegments(jpeg);
  const problems: string[] = [];
  const ofKind = (app: JpegSegment['app']) => segments.filter((s) => s.app === app);
  const payload = (segment: JpegSegment) => segmentPayload(jpeg, segment);

  const frames = segments.filter((s) => FRAME_MARKERS.has(s.marker));
  const first = frames[0];
  const frame = first && readFrame(payload(first), first.marker);
  if (!first) problems.push('it has no frame header (SOF)');
  else if (!frame) problems.push('its frame header (SOF) is too short');
  if (frames.length > 1) problems.push(`it has ${frames.length} frame headers (SOF)`);

  let orientation: number | undefined = 1;
  const exif = ofKind('Exif')[0]; // readers use the first EXIF block
  if (exif) {
    const reading = exifOrientation(payload(exif));
    orientation = 'orientation' in reading ? reading.orientation : undefined;
    if ('problem' in reading) problems.push(`its EXIF block is damaged (${reading.problem})`);
  }

  let icc: Buffer | undefined;
  const iccChunks = ofKind('ICC_PROFILE');
  if (iccChunks.length > 0) {
    const assembly = assembleIccProfile(iccChunks.map(payload));
    if ('profile' in assembly) icc = assembly.profile;
    else problems.push(`its ICC profile is damaged (${assembly.problem})`);
    // The profile's header gives its size: bytes past it are no part of the profile, and could be anything.
    const declared = icc && icc.length >= 4 ? icc.readUInt32BE(0) : undefined;
    if (icc && declared !== icc.length) problems.push(`its ICC profile is ${icc.length} bytes where its header says ${declared ?? '?'}`);
  }

  const adobe = ofKind('Adobe')[0];
  const adobePayload = adobe && payload(adobe);
  const adobeTransform = adobePayload && adobePayload.length >= 12 ? (adobePayload[11] as number) : undefined;
  if (adobe && adobeTransform === undefined) problems.push('its Adobe APP14 segment is too short');

  const dropped = [...new Set(segments.map((segment) => droppedAs(jpeg, segment)).filter((label) => label !== undefined))];
  return {
    hasExif: exif !== undefined,
    hasXmp: segments.some((s) => s.app === 'XMP' || s.app === 'ExtendedXMP'),
    hasIptc: ofKind('Photoshop').length > 0,
    hasComment: segments.some((s) => s.marker === MARKER.COM),
    hasOtherApp: segments.some((s) => s.app === 'MPF' || s.app === 'JFXX' || s.app === 'other'),
    orientation,
    icc,
    frame,
    adobeTransform,
    colour: colourModel(frame?.components, adobeTransform),
    trailingBytes,
    dropped,
    problems,
  };
}
