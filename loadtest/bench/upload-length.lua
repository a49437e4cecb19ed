-- The upload of upload-chunked.lua with its length known: 1 KiB with Content-Length, for comparison.
local req = "POST /upload HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 1024\r\n\r\n" .. string.rep("a", 1024)
request = function() return req end
