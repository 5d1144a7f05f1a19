// One XHR, for the progress events fetch does not give for uploads. The token
// goes in the Authorization header, never in a URL.

import { ApiError } from "@edge-chat/client";

export type Progress = (loaded: number, total: number) => void;

interface Request {
  method: string;
  url: string;
  token: string | undefined;
  body?: Blob | string;
  json?: boolean;
  onUpload?: Progress;
  onDownload?: Progress;
}

/** One XHR; rejects with an ApiError: the server's code and message (or `network`). */
export function xhr<T>(r: Request & { blob?: false }): Promise<T>;
export function xhr(r: Request & { blob: true }): Promise<Blob>;
export function xhr(r: Request & { blob?: boolean }): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const req = new XMLHttpRequest();
    req.open(r.method, r.url);
    if (r.token) req.setRequestHeader("Authorization", `Bearer ${r.token}`);
    if (r.json) req.setRequestHeader("Content-Type", "application/json");
    req.responseType = r.blob ? "blob" : "text";
    if (r.onUpload) {
      const on = r.onUpload;
      req.upload.onprogress = (e) => on(e.loaded, e.total);
    }
    if (r.onDownload) {
      const on = r.onDownload;
      req.onprogress = (e) => on(e.loaded, e.lengthComputable ? e.total : 0);
    }
    req.onerror = () => reject(new ApiError("network", "the network failed; try again", 0));
    req.onload = async () => {
      if (req.status >= 200 && req.status < 300) {
        resolve(r.blob ? req.response : req.responseText ? JSON.parse(req.responseText) : undefined);
        return;
      }
      const text = r.blob ? await (req.response as Blob).text() : req.responseText;
      try {
        const { error } = JSON.parse(text) as { error: { code: string; message: string } };
        reject(new ApiError(error.code, error.message, req.status));
      } catch {
        reject(new ApiError("http_error", `the server answered ${req.status}`, req.status));
      }
    };
    req.send(r.body ?? null);
  });
}
