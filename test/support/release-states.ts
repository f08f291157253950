/** Two states of a small bucket for release drills: v2 changes one object, adds one and deletes one. */
export const V1: Record<string, string> = {
  'album/abba/abba-medium.jpg': 'abba medium v1',
  'album/abba/abba-small.jpg': 'abba small v1',
  'album/bjork/bjork-medium.jpg': 'bjork medium v1',
};
export const V2: Record<string, string> = {
  'album/abba/abba-medium.jpg': 'abba medium v2', // changed
  'album/abba/abba-small.jpg': 'abba small v1',
  'album/dido/dido-small.jpg': 'dido small v2', // added; bjork deleted
};
