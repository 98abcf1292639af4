-- ARGV: offset, base shape kind a b. Returns {1, now, settled, reserved}; {-2, now} stale calendar bounds.
local now = now_ms(ARGV[1])
local kind, a, b = ARGV[4], tonumber(ARGV[5]), tonumber(ARGV[6])
if kind == 'c' and (now < a or now >= b) then return {-2, now} end
return {1, now, settled(ARGV[2], ARGV[3], kind, a, b, now), reserved(ARGV[2])}
