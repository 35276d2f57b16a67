// How every map of Clearway starts: the same limits, controls and first view, with MapLibre's worker served by
// Clearway itself (no CDN), so a map works in an office without internet.
import * as maplibregl from 'maplibre-gl';
import workerUrl from 'maplibre-gl/dist/maplibre-gl-worker.mjs?url';
import 'maplibre-gl/dist/maplibre-gl.css';
import type { StyleSpecification } from 'maplibre-gl';

maplibregl.setWorkerUrl(workerUrl);

/** Cambodia with a small margin: the first view before any data has arrived. */
export const cambodiaBounds: [number, number, number, number] = [102.3, 10.4, 107.65, 14.7];

/** A map in the container, or null when the browser cannot draw one (no WebGL: an old laptop, a locked-down browser). */
export function createMap(container: HTMLElement, style: StyleSpecification): maplibregl.Map | null {
  let created: maplibregl.Map;
  try {
    created = new maplibregl.Map({
      container,
      style,
      bounds: cambodiaBounds,
      fitBoundsOptions: { padding: 16 },
      minZoom: 4,
      maxZoom: 18,
      attributionControl: false,
      dragRotate: false,
      pitchWithRotate: false,
      touchPitch: false,
    });
  } catch {
    return null;
  }
  created.touchZoomRotate.disableRotation();
  created.addControl(new maplibregl.NavigationControl({ showCompass: false }), 'top-right');
  created.addControl(new maplibregl.ScaleControl({ unit: 'metric' }), 'bottom-left');
  return created;
}
