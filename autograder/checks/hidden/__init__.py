"""The hidden checks, one pytest module per assignment (`<assignment id>.py`, dashes as `_`).

Plain pytest functions that ask for the learner's objects by fixture name; thresholds and quiz
answer keys live only here. No grading kernel can read this folder (autograder.sandbox.policy).
"""
