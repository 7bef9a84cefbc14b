/**
 * The one Lua script of the Redis store. Time comes from the server (`TIME`, microseconds), so processes on
 * machines with skewed clocks agree. All numbers written back are formatted with `%.0f`: Lua would otherwise
 * print 16-digit microsecond timestamps with 14 significant digits and lose precision.
 *
 * ARGV[1] is the mode:
 * - `acquire`: ARGV[2] member, ARGV[3] cost, then per quota i: limit, window (µs, margin included), burst.
 *   KEYS holds per quota i the state key (a ZSET for the log, a string for GCRA) and the pause key.
 *   Admits under every quota or none. Replies `{1, 0}` or `{0, wait µs}`.
 * - `release`: same arguments; takes back the starts of an admitted acquisition.
 * - `restamp`: same arguments; moves the starts of an admitted acquisition to the current time (only later, never
 *   earlier), for a client that could not start within the margin of its admission.
 * - `penalize`: KEYS[1] pause key, ARGV[2] milliseconds. Extends the pause, never shortens it.
 */
export const slidingWindowScript = `
local mode = ARGV[1]
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000000 + tonumber(time[2])
local function int(value) return string.format('%.0f', value) end

if mode == 'penalize' then
  local ms = tonumber(ARGV[2])
  local untilUs = now + ms * 1000
  if untilUs > tonumber(redis.call('GET', KEYS[1]) or '0') then
    redis.call('SET', KEYS[1], int(untilUs), 'PX', int(math.ceil(ms)))
  end
  return {1, 0}
end

local member = ARGV[2]
local cost = tonumber(ARGV[3])
local count = #KEYS / 2

if mode == 'release' then
  for i = 1, count do
    local key = KEYS[2 * i - 1]
    local limit, window, burst = tonumber(ARGV[1 + 3 * i]), tonumber(ARGV[2 + 3 * i]), tonumber(ARGV[3 + 3 * i])
    if burst >= limit then
      for j = 1, cost do redis.call('ZREM', key, member .. ':' .. j) end
    else
      local tat = tonumber(redis.call('GET', key) or '0')
      if tat > now then
        redis.call('SET', key, int(math.max(now, tat - cost * window / (limit - burst + 1))), 'KEEPTTL')
      end
    end
  end
  return {1, 0}
end

if mode == 'restamp' then
  local score = int(now)
  for i = 1, count do
    local key = KEYS[2 * i - 1]
    local limit, window, burst = tonumber(ARGV[1 + 3 * i]), tonumber(ARGV[2 + 3 * i]), tonumber(ARGV[3 + 3 * i])
    if burst >= limit then
      for j = 1, cost do redis.call('ZADD', key, 'XX', 'GT', score, member .. ':' .. j) end
      redis.call('PEXPIRE', key, int(math.ceil(window / 1000) + 1000))
    end
  end
  return {1, 0}
end

local wait = 0
for i = 1, count do
  local key = KEYS[2 * i - 1]
  local limit, window, burst = tonumber(ARGV[1 + 3 * i]), tonumber(ARGV[2 + 3 * i]), tonumber(ARGV[3 + 3 * i])
  local pause = tonumber(redis.call('GET', KEYS[2 * i]) or '0')
  if pause - now > wait then wait = pause - now end
  if burst >= limit then
    redis.call('ZREMRANGEBYSCORE', key, '-inf', int(now - window))
    local excess = redis.call('ZCARD', key) + cost - limit
    if excess > 0 then
      local entry = redis.call('ZRANGE', key, excess - 1, excess - 1, 'WITHSCORES')
      local entryWait = tonumber(entry[2]) + window - now
      if entryWait > wait then wait = entryWait end
    end
  else
    local period = window / (limit - burst + 1)
    local tat = math.max(tonumber(redis.call('GET', key) or '0'), now)
    local entryWait = tat + (cost - burst) * period - now
    if entryWait > wait then wait = entryWait end
  end
end
if wait > 0 then return {0, math.ceil(wait)} end

local score = int(now)
for i = 1, count do
  local key = KEYS[2 * i - 1]
  local limit, window, burst = tonumber(ARGV[1 + 3 * i]), tonumber(ARGV[2 + 3 * i]), tonumber(ARGV[3 + 3 * i])
  if burst >= limit then
    for j = 1, cost do redis.call('ZADD', key, score, member .. ':' .. j) end
    redis.call('PEXPIRE', key, int(math.ceil(window / 1000) + 1000))
  else
    local period = window / (limit - burst + 1)
    local tat = math.max(tonumber(redis.call('GET', key) or '0'), now) + cost * period
    redis.call('SET', key, int(math.ceil(tat)), 'PX', int(math.ceil((tat - now) / 1000) + 1000))
  end
end
return {1, 0}
`;
