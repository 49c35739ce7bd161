-- wrk script: authenticated GET /api/v1/cases/{id} over random ids.
local token = os.getenv("KNIT_TOKEN")
local cases = tonumber(os.getenv("KNIT_CASES") or "1000000")
local counter = 0
request = function()
  counter = counter + 1
  local id = (counter * 7919) % cases + 1
  return wrk.format("GET", "/api/v1/cases/" .. id, { ["Authorization"] = "Bearer " .. token })
end
