"""Split a click stream into sessions and count first visits (serial, legacy style, order-dependent loops)."""

events = [(1, "ann"), (5, "bob"), (7, "ann"), (400, "ann"), (402, "cy"), (900, "bob")]

sessions = []
prev_time = None
for time, user in events:
    if prev_time is not None and time - prev_time > 300:
        sessions.append(time)
    prev_time = time

seen = set()
first_visits = []
for _, user in events:
    if user not in seen:
        seen.add(user)
        first_visits.append(user)

print("session starts:", sessions)
print("first visits:", first_visits)
