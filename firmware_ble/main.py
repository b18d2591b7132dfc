# Boot entry of the reptempo sensor firmware: MicroPython runs main.py after boot.py.
# All the work is in supervisor.py, which the tests can import without starting it.
import supervisor

supervisor.main()
