/**
 * Request lines that spell the endpoints API's paths some other way than the router's canonical
 * form: percent-encoded segments, absolute-form targets, doubled slashes, dot segments, trailing
 * slashes, other cases. Without the token each must be refused (401) or unknown (404), never
 * served — on the hub and on `promfleet-hub api`.
 */
export const API_PATH_SPELLINGS: readonly string[] = [
  'GET /api/v1/endpoints HTTP/1.1',
  'GET /%61pi/v1/endpoints HTTP/1.1',
  'GET /%61%70%69/v1/endpoints HTTP/1.1',
  'GET /api/v1/%65ndpoints HTTP/1.1',
  'GET /api/v1/endpoints/%77atch HTTP/1.1',
  'GET /api/v1/endpoints/default/%63loud-clusters HTTP/1.1',
  'GET /api%2Fv1/endpoints HTTP/1.1',
  'GET http://x/api/v1/endpoints HTTP/1.1',
  'GET http://127.0.0.1/api/v1/endpoints/watch HTTP/1.1',
  'GET https://x:1/%61pi/v1/endpoints HTTP/1.1',
  'GET //api/v1/endpoints HTTP/1.1',
  'GET /api//v1/endpoints HTTP/1.1',
  'GET /api/v1/../v1/endpoints HTTP/1.1',
  'GET /api/v1/./endpoints HTTP/1.1',
  'GET /x/../api/v1/endpoints HTTP/1.1',
  'GET /api/v1/endpoints/ HTTP/1.1',
  'GET /api/v1/endpoints/watch/ HTTP/1.1',
  'GET /API/v1/endpoints HTTP/1.1',
  'GET /Api/V1/Endpoints/Watch HTTP/1.1',
  'GET /api/v1/endpoints?lastEventId=0 HTTP/1.1',
  'GET /api/v1/endpoints;x=y HTTP/1.1',
  'GET /api/v1/endpoints/watch HTTP/1.1',
  'GET /api/v1/endpoints/default/cloud-clusters HTTP/1.1',
  'HEAD /api/v1/endpoints HTTP/1.1',
  'HEAD /%61pi/v1/endpoints HTTP/1.1',
  'GET /api/v1/stores HTTP/1.1',
  'GET /api/v1/%73tores HTTP/1.1',
  'GET /api/v1/stores/%77atch HTTP/1.1',
  'GET /api/v1/stores/watch HTTP/1.1',
  'GET /api/v1/stores/default/cloud-clusters HTTP/1.1',
  'GET http://x/api/v1/stores HTTP/1.1',
  'GET /API/v1/Stores HTTP/1.1',
];
