-- ARGV: offset, max. Charges up to max holds whose lease has ended; returns {count, now}.
local now = now_ms(ARGV[1])
return {sweep(now, tonumber(ARGV[2])), now}
