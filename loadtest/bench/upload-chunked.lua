-- A 1 KiB upload sent chunked (Transfer-Encoding: chunked, two 512-byte chunks), as clients streaming a body of
-- unknown length send it (curl -T -, Java's HttpClient with an InputStream, Go with an io.Reader).
-- Used by ab.sh with AB_SCRIPT; the origin's POST /upload reads the body and answers "ok".
local half = string.rep("a", 512)
local req = "POST /upload HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\n\r\n"
  .. "200\r\n" .. half .. "\r\n200\r\n" .. half .. "\r\n0\r\n\r\n"
request = function() return req end
