/**
 * The one Lua script of the Redis store. Time comes from the server (`TIME`, microseconds), so processes on
 * machines with skewed clocks agree. All numbers written back are formatted with `%.0f`: Lua would otherwise
 * print 16-digit microsecond timestamps with 14 significant digits and lose precision.
 *
 * ARGV[1] is the mode. For `acquire`, `release` and `restamp`, ARGV[2] is a count n of acquisitions that share the
 * same keys, then n pairs (member, cost), then per quota i: limit, window (µs, margin included), burst. KEYS holds
 * per quota i the state key (a ZSET for the log, a string for GCRA) and the pause key.
 * - `acquire`: admits the acquisitions in order, each under every quota or none, and stops at the first that does
 *   not fit. Replies `{admitted, wait µs for the next one}`.
 * - `release`: takes back the starts of admitted acquisitions whose callers gave up.
 * - `restamp`: moves the starts of admitted acquisitions to the current time (only later, never earlier), for a
 *   client that could not start within the margin of its admission.
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
  local offset = base + 3 * (i - 1)
  return KEYS[2 * i - 1], tonumber(ARGV[offset + 1]), tonumber(ARGV[offset + 2]), tonumber(ARGV[offset + 3])
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
            redis.call('ZADD', key, 'XX', 'GT', score, member .. ':' .. j)
          end
        end
        if mode == 'restamp' then redis.call('PEXPIRE', key, int(math.ceil(window / 1000) + 1000)) end
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

local score = int(now)
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
        quotaWait = tonumber(entry[2]) + window - now
      end
    else
      local tat = math.max(tonumber(redis.call('GET', key) or '0'), now)
      quotaWait = tat + (cost - burst) * window / (limit - burst + 1) - now
    end
    if quotaWait > wait then wait = quotaWait end
  end
  if wait > 0 then return {r - 1, math.max(1, math.ceil(wait))} end
  for i = 1, quotas do
    local key, limit, window, burst = rule(i)
    if burst >= limit then
      for j = 1, cost do redis.call('ZADD', key, score, member .. ':' .. j) end
      redis.call('PEXPIRE', key, int(math.ceil(window / 1000) + 1000))
    else
      local period = window / (limit - burst + 1)
      local tat = math.max(tonumber(redis.call('GET', key) or '0'), now) + cost * period
      redis.call('SET', key, int(math.ceil(tat)), 'PX', int(math.ceil((tat - now) / 1000) + 1000))
    end
  end
end
return {n, 0}
`;
