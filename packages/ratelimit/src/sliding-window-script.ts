/**
 * The one Lua script of the Redis store. Time comes from the server (`TIME`, microseconds), so processes on
 * machines with skewed clocks agree. All numbers written back are formatted with `%.0f`: Lua would otherwise
 * print 16-digit microsecond timestamps with 14 significant digits and lose precision.
 *
 * ARGV[1] is the mode. For `acquire`, `release` and `restamp`, ARGV[2] is a count n of acquisitions that share the
 * same keys, then n pairs (member, cost), then per quota i: limit, window (µs, margin included), burst, hold (µs).
 * KEYS holds per quota i the state key (a ZSET for the log, a string for GCRA) and the pause key.
 * - `acquire`: admits the acquisitions in order, each under every quota or none, and stops at the first that does
 *   not fit. Replies `{admitted, wait µs for the next one}`. With a hold, a log records each start at now + hold:
 *   a start still to come, which counts in every window (a wait that it binds is at least one window) until the
 *   client confirms it, or until the hold runs out if the client died.
 * - `release`: takes back the starts of admitted acquisitions whose callers gave up.
 * - `restamp`: confirms the starts of admitted acquisitions, sent once their calls have started: they move to the
 *   current time, which is after the real starts.
 * - `penalize`: KEYS[1] pause key, ARGV[2] milliseconds. Extends the pause, never shortens it. Replies `{0, 0}`.
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
  return {0, 0}
end

local n = tonumber(ARGV[2])
local quotas = #KEYS / 2
local base = 2 + 2 * n
local function rule(i)
  local offset = base + 4 * (i - 1)
  return KEYS[2 * i - 1], tonumber(ARGV[offset + 1]), tonumber(ARGV[offset + 2]), tonumber(ARGV[offset + 3]),
    tonumber(ARGV[offset + 4])
end
-- A log key lives until its newest start (held or not) has left the window, plus one second.
local function expireLog(key, window)
  local newest = redis.call('ZRANGE', key, -1, -1, 'WITHSCORES')
  if newest[2] == nil then return end
  local last = math.max(tonumber(newest[2]), now)
  redis.call('PEXPIRE', key, int(math.ceil((last - now + window) / 1000) + 1000))
end

if mode == 'release' or mode == 'restamp' then
  local score = int(now)
  for r = 1, n do
    local member, cost = ARGV[1 + 2 * r], tonumber(ARGV[2 + 2 * r])
    for i = 1, quotas do
      local key, limit, window, burst = rule(i)
      if burst >= limit then
        for j = 1, cost do
          if mode == 'release' then
            redis.call('ZREM', key, member .. ':' .. j)
          else
            redis.call('ZADD', key, 'XX', score, member .. ':' .. j)
          end
        end
        if mode == 'restamp' then expireLog(key, window) end
      elseif mode == 'release' then
        local tat = tonumber(redis.call('GET', key) or '0')
        if tat > now then
          redis.call('SET', key, int(math.max(now, tat - cost * window / (limit - burst + 1))), 'KEEPTTL')
        end
      end
    end
  end
  return {n, 0}
end

local pause = 0
for i = 1, quotas do
  local until_ = tonumber(redis.call('GET', KEYS[2 * i]) or '0')
  if until_ - now > pause then pause = until_ - now end
end
if pause > 0 then return {0, math.ceil(pause)} end

for r = 1, n do
  local member, cost = ARGV[1 + 2 * r], tonumber(ARGV[2 + 2 * r])
  local wait = 0
  for i = 1, quotas do
    local key, limit, window, burst = rule(i)
    local quotaWait = 0
    if burst >= limit then
      redis.call('ZREMRANGEBYSCORE', key, '-inf', int(now - window))
      local excess = redis.call('ZCARD', key) + cost - limit
      if excess > 0 then
        local entry = redis.call('ZRANGE', key, excess - 1, excess - 1, 'WITHSCORES')
        quotaWait = math.min(tonumber(entry[2]), now) + window - now
      end
    else
      local tat = math.max(tonumber(redis.call('GET', key) or '0'), now)
      quotaWait = tat + (cost - burst) * window / (limit - burst + 1) - now
    end
    if quotaWait > wait then wait = quotaWait end
  end
  if wait > 0 then return {r - 1, math.max(1, math.ceil(wait))} end
  for i = 1, quotas do
    local key, limit, window, burst, hold = rule(i)
    if burst >= limit then
      for j = 1, cost do redis.call('ZADD', key, int(now + hold), member .. ':' .. j) end
      expireLog(key, window)
    else
      local period = window / (limit - burst + 1)
      local tat = math.max(tonumber(redis.call('GET', key) or '0'), now) + cost * period
      redis.call('SET', key, int(math.ceil(tat)), 'PX', int(math.ceil((tat - now) / 1000) + 1000))
    end
  end
end
return {n, 0}
`;
